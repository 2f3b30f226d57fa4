/** Defaults shared by the local stack (npm start) and the webhook sender: the CLI's, re-exported. */
export { LOCAL_STACK as LOCAL_DEFAULTS } from '../lib/local-stack';
