export function load(): Config { return JSON.parse(process.env.CONFIG ?? "{}"); }
