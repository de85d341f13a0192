import { ApiError, ChatApi } from "../../api";

/**
 * The Invite button: a private room's makes a fresh invite link (valid for 7 days); a public
 * room's address is its link. Either is copied to the clipboard where the browser allows.
 */
export function inviteButton(room: string, token: string): void {
  const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
  const button = $("invite");
  const label = $("invite-label");
  button.addEventListener("click", async () => {
    let link = `${location.origin}/r/${room}`;
    if (button.dataset.visibility === "private") {
      try {
        link = (await new ChatApi(location.origin, token).createInvite(room)).url;
      } catch (failure) {
        label.textContent = failure instanceof ApiError ? `Could not create an invite: ${failure.message}` : "Could not reach the server.";
        $("invite-panel").hidden = false;
        return;
      }
    }
    const input = $<HTMLInputElement>("invite-link");
    input.value = link;
    $("invite-panel").hidden = false;
    input.select();
    try {
      await navigator.clipboard.writeText(link);
      label.textContent = "Invite link copied to the clipboard (valid for 7 days):";
    } catch {
      label.textContent = "Copy this invite link (valid for 7 days):";
    }
    if (button.dataset.visibility === "public") label.textContent = "Anyone signed in can join this public room with its address:";
  });
  $("invite-close").addEventListener("click", () => ($("invite-panel").hidden = true));
}
