/** An error as an adapter sends it: status, headers and a JSON body without secrets. */
export interface HttpErrorResponse {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}
