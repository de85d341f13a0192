import { ApiError } from "../api";

/** What a page tells the person when a request failed: the server's reason, or that it could not be reached. */
export function failureText(failure: unknown): string {
  return failure instanceof ApiError ? failure.message : "Could not reach the server; try again.";
}

/** Runs a request for a button or form, saying in `element` why it failed, if it does (cleared first). */
export function reportingIn(element: HTMLElement): (work: () => Promise<unknown>) => Promise<void> {
  return async (work) => {
    element.textContent = "";
    try {
      await work();
    } catch (failure) {
      element.textContent = failureText(failure);
    }
  };
}
