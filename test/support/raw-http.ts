import { request } from "node:http";

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * One HTTP/1.1 request with exactly the headers given — including `Host`, which fetch does not
 * let a caller set — and the whole answer. As a flat list (name, value, name, value...), the
 * headers are sent as they are, repeated names included, and Host is not added.
 */
export function rawRequest(
  url: string,
  init: { method?: string; headers?: Record<string, string> | string[]; body?: string } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: init.method ?? "GET", headers: init.headers }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        body += chunk;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end(init.body);
  });
}
