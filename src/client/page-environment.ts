/** What the client needs to know about the page it runs in; absent outside a browser. */
export interface PageEnvironment {
  isOnline(): boolean;
  isHidden(): boolean;
  /** Calls back when the browser comes online, goes offline, or the page becomes visible. */
  subscribe(listener: (change: "online" | "offline" | "visible") => void): () => void;
}

export function browserEnvironment(): PageEnvironment | undefined {
  if (typeof window === "undefined" || typeof document === "undefined") return undefined;
  return {
    isOnline: () => navigator.onLine !== false,
    isHidden: () => document.visibilityState === "hidden",
    subscribe(listener) {
      const online = () => listener("online");
      const offline = () => listener("offline");
      const visible = () => document.visibilityState === "visible" && listener("visible");
      window.addEventListener("online", online);
      window.addEventListener("offline", offline);
      document.addEventListener("visibilitychange", visible);
      return () => {
        window.removeEventListener("online", online);
        window.removeEventListener("offline", offline);
        document.removeEventListener("visibilitychange", visible);
      };
    },
  };
}
