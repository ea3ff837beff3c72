/** What the API takes from a caller as a request id (and echoes): short, and safe to log. */
export const REQUEST_ID_CHARACTERS = '[A-Za-z0-9._:@/+=-]';
export const MAX_REQUEST_ID_LENGTH = 128;
export const REQUEST_ID_PATTERN = new RegExp(`^${REQUEST_ID_CHARACTERS}{1,${MAX_REQUEST_ID_LENGTH}}$`);
