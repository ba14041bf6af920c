/**
 * The one line a failed listen prints (DESIGN §11): which address and port, and which variable
 * to change. A busy port is the likeliest first error (`npm start` twice, or on Viben's port),
 * so it names `PORT` rather than showing Node's unhandled 'error' event with its stack.
 */
export function listenErrorLine(error: NodeJS.ErrnoException, port: number, host: string): string {
  const where = `port ${port} on ${host}`;
  switch (error.code) {
    case "EADDRINUSE":
      return `chat-list gateway: ${where} is already in use; set PORT to another port (for example PORT=${port === 65_535 ? port - 1 : port + 1}), or stop what listens there`;
    case "EACCES":
      return `chat-list gateway: not allowed to listen on ${where}; set PORT to a port above 1023`;
    case "EADDRNOTAVAIL":
      return `chat-list gateway: cannot listen on ${where}: no such address on this machine; set HOST to one of its addresses (default 127.0.0.1)`;
    default:
      return `chat-list gateway: cannot listen on ${where}: ${error.code ?? error.message}; check PORT and HOST`;
  }
}
