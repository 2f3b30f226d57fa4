/**
 * Change safety: what a new datafile revision changes, in a form to show, store and check.
 * Pure and dependency-free; the SDK check lives apart in `./sdk-check` (it imports the Optimizely SDK).
 *
 * @example
 * import { checkGuardrails, diffDatafiles, oneLine, summarize } from '../changes';
 * const diff = diffDatafiles(previous, next);
 * log.info(oneLine(summarize(diff)));
 */
export { diffDatafiles } from './diff';
export { formatChange, formatDiff } from './format';
export { checkGuardrails, type GuardrailInput, type GuardrailRule, type Guardrails, parseGuardrails, type Violation } from './guardrails';
export { decisionKeys } from './read';
export { type DiffSummary, MAX_SUMMARY_BYTES, oneLine, summarize } from './summary';
export type { Change, ChangeKind, DatafileDiff, OtherOf, RuleEntity } from './types';
