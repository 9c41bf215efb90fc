import { TemplateContext } from './template-context';

/** A piece of rendered JSON text: fixed text, or a slot that writes a value's JSON text. */
export type RenderPart = string | RenderSlot;
export type RenderSlot = (context: TemplateContext) => string;

/** Collects a template's parts, joining consecutive fixed text so rendering touches few pieces. */
export class RenderPlanBuilder {
  private readonly parts: RenderPart[] = [];
  private pendingText = '';

  appendText(text: string): void {
    this.pendingText += text;
  }

  appendSlot(slot: RenderSlot): void {
    this.flushText();
    this.parts.push(slot);
  }

  build(): readonly RenderPart[] {
    this.flushText();
    return [...this.parts];
  }

  private flushText(): void {
    if (this.pendingText === '') return;
    this.parts.push(this.pendingText);
    this.pendingText = '';
  }
}

export function renderPlan(parts: readonly RenderPart[], context: TemplateContext): string {
  let text = '';
  for (const part of parts) text += typeof part === 'string' ? part : part(context);
  return text;
}
