import { Lexer, type Token, type Tokens } from "marked";

/**
 * A message's text as people format it in chat (Markdown: **bold**, _italic_, ~~struck~~,
 * `code`, fenced code blocks, > quotes, lists, links, line breaks as typed), built as DOM nodes
 * one by one from marked's tokens. Nothing is ever parsed as HTML: text goes in as text nodes,
 * HTML someone typed stays the text they typed, and a link is made only from an http(s) URL.
 * What chat does not format (headings, tables, rules) is shown as it was typed.
 */
export function appendFormattedText(parent: HTMLElement, text: string): void {
  for (const token of Lexer.lex(text, { gfm: true, breaks: true })) appendBlock(parent, token);
}

function appendBlock(parent: Node & ParentNode, token: Token): void {
  switch (token.type) {
    case "space":
      return;
    case "paragraph": {
      const paragraph = document.createElement("p");
      appendInline(paragraph, (token as Tokens.Paragraph).tokens);
      return parent.append(paragraph);
    }
    case "text": {
      // A tight list item's text: inline tokens when marked made them.
      const text = token as Tokens.Text;
      return text.tokens ? appendInline(parent, text.tokens) : parent.append(text.text);
    }
    case "code":
      return parent.append(codeBlock((token as Tokens.Code).text));
    case "blockquote": {
      const quote = document.createElement("blockquote");
      for (const child of (token as Tokens.Blockquote).tokens) appendBlock(quote, child);
      return parent.append(quote);
    }
    case "list": {
      const list = token as Tokens.List;
      const element = document.createElement(list.ordered ? "ol" : "ul");
      if (list.ordered && typeof list.start === "number" && list.start !== 1) (element as HTMLOListElement).start = list.start;
      for (const item of list.items) {
        const entry = document.createElement("li");
        for (const child of item.tokens) appendBlock(entry, child);
        element.append(entry);
      }
      return parent.append(element);
    }
    default: {
      const paragraph = document.createElement("p");
      paragraph.append(token.raw.replace(/\n+$/, ""));
      return parent.append(paragraph);
    }
  }
}

function appendInline(parent: Node & ParentNode, tokens: Token[] | undefined): void {
  for (const token of tokens ?? []) {
    switch (token.type) {
      case "text": {
        const text = token as Tokens.Text;
        if (text.tokens) appendInline(parent, text.tokens);
        else parent.append(text.text);
        break;
      }
      case "escape":
        parent.append((token as Tokens.Escape).text);
        break;
      case "strong":
      case "em":
      case "del": {
        const element = document.createElement(token.type === "del" ? "s" : token.type);
        appendInline(element, (token as Tokens.Strong).tokens);
        parent.append(element);
        break;
      }
      case "codespan": {
        const code = document.createElement("code");
        code.textContent = (token as Tokens.Codespan).text;
        parent.append(code);
        break;
      }
      case "br":
        parent.append(document.createElement("br"));
        break;
      case "link":
      case "image": {
        const link = token as Tokens.Link | Tokens.Image;
        const anchor = webLink(link.href);
        if (!anchor) {
          parent.append(token.raw);
          break;
        }
        // A picture someone links is a link to it, named by its text: pictures are sent as files.
        if (token.type === "image") anchor.append((link as Tokens.Image).text || link.href);
        else appendInline(anchor, (link as Tokens.Link).tokens);
        parent.append(anchor);
        break;
      }
      default:
        // HTML typed into a message, and anything else: as it was typed.
        parent.append(token.raw);
    }
  }
}

/** An anchor to an http(s) URL that opens apart from the chat, or undefined for any other kind of address. */
function webLink(href: string): HTMLAnchorElement | undefined {
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return undefined;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return undefined;
  const anchor = document.createElement("a");
  anchor.href = url.href;
  anchor.target = "_blank";
  anchor.rel = "noopener noreferrer";
  return anchor;
}

function codeBlock(text: string): HTMLElement {
  const block = document.createElement("div");
  block.className = "code-block";
  const pre = document.createElement("pre");
  const code = document.createElement("code");
  code.textContent = text;
  pre.append(code);
  const copy = document.createElement("button");
  copy.type = "button";
  copy.className = "link copy-code";
  copy.textContent = "Copy";
  copy.setAttribute("aria-label", "Copy the code");
  copy.addEventListener("click", () => {
    void navigator.clipboard?.writeText(text).then(() => (copy.textContent = "Copied"));
  });
  block.append(pre, copy);
  return block;
}
