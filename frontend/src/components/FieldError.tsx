/** The server's message for one form field, shown under it (the input's aria-describedby). */
export function FieldError({ id, message }: { id: string; message: string | null }) {
  return message ? (
    <p id={id} class="field-error">
      {message}
    </p>
  ) : null;
}
