import type { ConnectionStatus } from "../../chat-client";

/**
 * The connection's state in words, with a countdown while reconnecting. Signing out and being
 * refused are the page's to handle (`onSignedOut`, `onForbidden`); this only shows them.
 */
export function statusBanner(banner: HTMLElement, handlers: { onSignedOut: (message: string) => void; onForbidden: () => void }) {
  let countdown: ReturnType<typeof setInterval> | undefined;
  return function render(state: ConnectionStatus): void {
    clearInterval(countdown);
    banner.dataset.state = state.state;
    delete banner.dataset.transport;
    switch (state.state) {
      case "connecting":
        banner.textContent = "Connecting…";
        break;
      case "online":
        banner.dataset.transport = state.transport;
        banner.textContent = state.transport === "http" ? "Online (over HTTP: WebSocket is unavailable here)" : "Online";
        break;
      case "reconnecting": {
        const tick = () => {
          const seconds = Math.max(0, Math.ceil((state.retryAt - Date.now()) / 1000));
          banner.textContent = seconds > 0 ? `Connection lost. Reconnecting in ${seconds} s…` : "Reconnecting…";
        };
        tick();
        countdown = setInterval(tick, 1000);
        break;
      }
      case "offline":
        banner.textContent = "You are offline. Messages you write will be sent when the connection is back.";
        break;
      case "signed-out":
        handlers.onSignedOut(state.message);
        break;
      case "forbidden":
        handlers.onForbidden();
        banner.textContent = `You cannot enter this room: ${state.message}.`;
        break;
      case "closed":
        banner.textContent = "Disconnected.";
        break;
    }
  };
}
