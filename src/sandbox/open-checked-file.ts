// Opens a file a run left behind only if it is still the regular file that was listed: never a link, a FIFO or a swapped inode.
import { constants, type Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';

/**
 * Opens `path` without following links or blocking on FIFOs and checks it is the regular file with inode `expectedInode`
 * seen when its directory was listed (a run may have swapped it since). Null when it is not safe to read; the caller
 * closes the handle it gets.
 */
export async function openCheckedFile(path: string, expectedInode: number): Promise<{ handle: FileHandle; info: Stats } | null> {
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    // ELOOP (it became a symlink), ENOENT, EACCES: nothing safe to read.
    return null;
  }
  try {
    const info = await handle.stat();
    if (info.isFile() && info.ino === expectedInode) return { handle, info };
  } catch {
    // Gone between open and stat: nothing safe to read.
  }
  await handle.close();
  return null;
}
