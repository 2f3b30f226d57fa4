// Serverless variable source: the `rollbackBakeMinutes` param in seconds, for ROLLBACK_BAKE_SECONDS
// (CloudFormation has no arithmetic). A value that is not a positive whole number fails packaging.
module.exports = async ({ resolveVariable }) => {
  const minutes = String(await resolveVariable('param:rollbackBakeMinutes')).trim();
  if (!/^\d+$/.test(minutes) || Number(minutes) < 1) {
    throw new Error(`rollbackBakeMinutes must be a whole number of minutes (at least 1), got "${minutes}".`);
  }
  return String(Number(minutes) * 60);
};
