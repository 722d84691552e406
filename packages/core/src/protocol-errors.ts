/**
 * The JSON-RPC error codes the host answers with beside the standard ones (`ErrorCode` from the SDK: -32700
 * parse error, -32600 invalid request, -32601 method not found, -32602 invalid params, -32603 internal error).
 * -32000 to -32099 is JSON-RPC's implementation-defined range.
 */

/** A request refused because the host is shutting down: it was not run. Over HTTP it comes with status 503. */
export const SHUTTING_DOWN_CODE = -32000;

/** A resource that does not exist: MCP's suggested code (the SDK itself uses -32602). */
export const RESOURCE_NOT_FOUND_CODE = -32002;

/** HTTP: a request refused before it reached a session (403, 400, 405), as the SDK's own HTTP transport says it. */
export const HTTP_REFUSED_CODE = -32000;

/** HTTP: no valid bearer token (401), or a session that ended or never existed (404). */
export const HTTP_NOT_ADMITTED_CODE = -32001;
