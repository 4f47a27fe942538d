import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";

import { ApiError } from "@/api/errors";

import { DataPortability } from "./DataPortability";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("DataPortability", () => {
  it("downloads the export as a file", async () => {
    const blob = new Blob(['{"format":"minor-illusion-export"}'], { type: "application/json" });
    const exportData = vi.fn().mockResolvedValue(blob);
    const createObjectURL = vi.fn(() => "blob:export");
    const revokeObjectURL = vi.fn();
    Object.assign(URL, { createObjectURL, revokeObjectURL });
    const click = vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(() => undefined);
    render(<DataPortability exportData={exportData} importData={vi.fn()} />);
    await userEvent.click(screen.getByRole("button", { name: "Download export" }));
    expect(createObjectURL).toHaveBeenCalledWith(blob);
    expect(click).toHaveBeenCalledTimes(1);
    expect(revokeObjectURL).toHaveBeenCalledWith("blob:export");
  });

  it("imports a TodoMVC file and reports each skipped row", async () => {
    const importData = vi.fn().mockResolvedValue({
      lists_created: 0,
      todos_imported: 4,
      problems: [{ row: "[2]", detail: "title: Field required" }],
      problems_not_shown: 0,
    });
    render(<DataPortability exportData={vi.fn()} importData={importData} />);
    const file = new File(['[{"title":"Buy milk","completed":false}]'], "todos.json", { type: "application/json" });
    await userEvent.selectOptions(screen.getByLabelText("File format"), "todomvc");
    await userEvent.upload(screen.getByLabelText("File"), file);
    await userEvent.click(screen.getByRole("button", { name: "Import" }));
    expect(importData).toHaveBeenCalledWith("todomvc", file);
    expect(screen.getByRole("status").textContent).toContain("Imported 4 todos into 0 new lists; skipped 1 rows:");
    expect(screen.getByRole("list", { name: "Skipped rows" }).textContent).toBe("[2]: title: Field required");
  });

  it("shows why a file was refused", async () => {
    const importData = vi.fn().mockRejectedValue(new ApiError(413, "That file is too large to import."));
    render(<DataPortability exportData={vi.fn()} importData={importData} />);
    expect(screen.getByRole("button", { name: "Import" })).toHaveProperty("disabled", true);
    await userEvent.upload(screen.getByLabelText("File"), new File(["{}"], "export.json"));
    await userEvent.click(screen.getByRole("button", { name: "Import" }));
    expect(importData).toHaveBeenCalledWith("export", expect.any(File));
    expect((await screen.findByRole("alert")).textContent).toBe("That file is too large to import.");
  });
});
