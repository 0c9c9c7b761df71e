// MSBuild inline task (RoslynCodeTaskFactory). Why: TorchSharp 0.107's native shim libLibTorchSharp.so was built
// with GCC 13 and declares a version need on GLIBCXX_3.4.32 for a single symbol (_ZSt21ios_base_library_initv)
// that it never relocates. Debian 12's libstdc++ stops at GLIBCXX_3.4.30, so the loader refuses the shim and
// TorchSharp fails with a misleading TypeInitializationException. Marking that one version need as weak
// (VER_FLG_WEAK in its Vernaux entry) lets the loader accept the library. The task edits only the copy in the
// build output, is idempotent, and does nothing where the system libstdc++ already provides the version.
using System;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

public class WeakenGlibcxxRequirement : Task
{
    /// <summary>Paths of libLibTorchSharp.so copies to patch (missing files are ignored).</summary>
    [Required] public ITaskItem[] Libraries { get; set; } = Array.Empty<ITaskItem>();

    /// <summary>The version need to weaken.</summary>
    public string Version { get; set; } = "GLIBCXX_3.4.32";

    const uint ShtGnuVerneed = 0x6ffffffe;
    const ushort VerFlgWeak = 0x2;

    public override bool Execute()
    {
        if (SystemLibstdcxxHas(Version))
        {
            Log.LogMessage(MessageImportance.Low, $"System libstdc++ provides {Version}; no patch needed.");
            return true;
        }
        foreach (var item in Libraries)
        {
            var path = item.ItemSpec;
            if (!File.Exists(path)) continue;
            try
            {
                var result = Patch(path, Version);
                Log.LogMessage(MessageImportance.Normal, $"{path}: {result}");
            }
            catch (Exception e)
            {
                Log.LogError($"Could not patch {path}: {e.Message}");
            }
        }
        return !Log.HasLoggedErrors;
    }

    static bool SystemLibstdcxxHas(string version)
    {
        string[] candidates =
        {
            "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6",
            "/usr/lib/aarch64-linux-gnu/libstdc++.so.6", "/usr/lib/libstdc++.so.6",
        };
        foreach (var c in candidates)
        {
            if (!File.Exists(c)) continue;
            var bytes = File.ReadAllBytes(c);
            return IndexOf(bytes, Encoding.ASCII.GetBytes(version + "\0")) >= 0;
        }
        // Not Linux or no libstdc++ found: nothing to fix here.
        return true;
    }

    static int IndexOf(byte[] hay, byte[] needle)
    {
        for (int i = 0; i + needle.Length <= hay.Length; i++)
        {
            int j = 0;
            while (j < needle.Length && hay[i + j] == needle[j]) j++;
            if (j == needle.Length) return i;
        }
        return -1;
    }

    /// <summary>Returns what was done: "patched", "already weak" or "no such version need".</summary>
    public static string Patch(string path, string version)
    {
        var b = File.ReadAllBytes(path);
        if (b.Length < 64 || b[0] != 0x7f || b[1] != (byte)'E' || b[2] != (byte)'L' || b[3] != (byte)'F')
            throw new InvalidDataException("not an ELF file");
        if (b[4] != 2 || b[5] != 1) throw new InvalidDataException("only little-endian ELF64 is supported");
        ulong shoff = BitConverter.ToUInt64(b, 0x28);
        int shentsize = BitConverter.ToUInt16(b, 0x3A);
        int shnum = BitConverter.ToUInt16(b, 0x3C);
        for (int s = 0; s < shnum; s++)
        {
            int sh = checked((int)shoff + s * shentsize);
            uint type = BitConverter.ToUInt32(b, sh + 4);
            if (type != ShtGnuVerneed) continue;
            int offset = checked((int)BitConverter.ToUInt64(b, sh + 0x18));
            uint link = BitConverter.ToUInt32(b, sh + 0x28);
            uint info = BitConverter.ToUInt32(b, sh + 0x2C); // number of Verneed entries
            int strtab = checked((int)BitConverter.ToUInt64(b, (int)shoff + (int)link * shentsize + 0x18));
            int vn = offset;
            for (uint n = 0; n < info; n++)
            {
                int cnt = BitConverter.ToUInt16(b, vn + 2);
                int vna = vn + (int)BitConverter.ToUInt32(b, vn + 8);
                for (int a = 0; a < cnt; a++)
                {
                    ushort flags = BitConverter.ToUInt16(b, vna + 4);
                    int name = strtab + (int)BitConverter.ToUInt32(b, vna + 8);
                    int end = Array.IndexOf(b, (byte)0, name);
                    if (Encoding.ASCII.GetString(b, name, end - name) == version)
                    {
                        if ((flags & VerFlgWeak) != 0) return "already weak";
                        flags |= VerFlgWeak;
                        using (var fs = new FileStream(path, FileMode.Open, FileAccess.Write))
                        {
                            fs.Position = vna + 4;
                            fs.Write(BitConverter.GetBytes(flags), 0, 2);
                        }
                        return "patched";
                    }
                    vna += (int)BitConverter.ToUInt32(b, vna + 12);
                }
                vn += (int)BitConverter.ToUInt32(b, vn + 12);
            }
        }
        return "no such version need";
    }
}
