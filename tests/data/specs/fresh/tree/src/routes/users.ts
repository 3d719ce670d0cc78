import { listUsers } from "../db/users";
export async function getUsers(req, res) { res.json(await listUsers()); }
