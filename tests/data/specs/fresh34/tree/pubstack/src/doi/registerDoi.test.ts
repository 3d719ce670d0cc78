import { describe, it, expect, vi } from "vitest";
import { registerDoi } from "./registerDoi";

const meta = { doi: "10.55555/ofp.2024.017", title: "T", url: "https://openfold.example/a/17", published: "2024-05-01", contributors: [] };

describe("registerDoi", () => {
  it("throws on non-2xx", async () => {
    const fake = vi.fn().mockResolvedValue(new Response("err", { status: 500 }));
    await expect(registerDoi(meta, fake as any)).rejects.toThrow("500");
  });
});
