// Serverless variable source: the action list of every CloudWatch alarm, from the `alarmTopicArn`
// param: [] without a topic, [arn] with one. Chosen when Serverless resolves the configuration, not
// with a template !If: the unused branch of `!If [HasAlarmTopic, ['${param:alarmTopicArn}'], ...]`
// still held [""] in the packaged template, an action ARN no schema accepts (cfn-lint E3033).
module.exports = async ({ resolveVariable }) => {
  const arn = String((await resolveVariable('param:alarmTopicArn')) ?? '').trim();
  return arn === '' ? [] : [arn];
};
