import type { ComponentChildren } from "preact";

/** A table's header row: one column a name, and an unnamed last column for row actions. */
export function TableHead({ columns, actions = false }: { columns: string[]; actions?: boolean }) {
  return (
    <thead>
      <tr>
        {columns.map((column) => (
          <th key={column} scope="col">
            {column}
          </th>
        ))}
        {actions && (
          <th scope="col">
            <span class="visually-hidden">Actions</span>
          </th>
        )}
      </tr>
    </thead>
  );
}

/** A row under the one being changed, holding the form that changes it. */
export function EditRow({ span, children }: { span: number; children: ComponentChildren }) {
  return (
    <tr class="edit-row">
      <td colSpan={span}>{children}</td>
    </tr>
  );
}
