using System.Text;
using Orleans.Runtime;
using Orleans.Storage;

namespace RAE.Grid.Grains.Storage;

/// <summary>
/// Grain state in files under a folder — the embedded default, so a local job survives a process restart with nothing
/// else installed. One file per (state name, grain id), written atomically (temp file + rename); the ETag is the write
/// counter stored in the file, so a stale writer gets an <see cref="InconsistentStateException"/> like any Orleans store.
/// Written by hand: Orleans ships memory, Redis, ADO.NET and Azure stores, but no file store. Single-process use only.
/// </summary>
public sealed class FileGrainStorage(string root, IGrainStorageSerializer serializer) : IGrainStorage
{
    private readonly SemaphoreSlim _lock = new(1, 1);

    private string PathOf(string stateName, GrainId grainId)
    {
        var key = Convert.ToHexString(Encoding.UTF8.GetBytes(grainId.ToString()));
        if (key.Length > 200) key = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(grainId.ToString())));
        return Path.Combine(root, stateName, key + ".state");
    }

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var path = PathOf(stateName, grainId);
        if (!File.Exists(path)) { grainState.RecordExists = false; grainState.ETag = null; return; }
        var bytes = await File.ReadAllBytesAsync(path);
        var etag = BitConverter.ToInt64(bytes, 0);
        grainState.State = serializer.Deserialize<T>(new BinaryData(bytes.AsMemory(8)));
        grainState.ETag = etag.ToString();
        grainState.RecordExists = true;
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var path = PathOf(stateName, grainId);
        await _lock.WaitAsync();
        try
        {
            long current = File.Exists(path) ? BitConverter.ToInt64(await ReadHeaderAsync(path)) : 0;
            if ((grainState.ETag ?? "0") != current.ToString() && !(grainState.ETag is null && current == 0))
                throw new InconsistentStateException($"state {stateName} of {grainId} was written by someone else", current.ToString(), grainState.ETag ?? "");
            var next = current + 1;
            var data = serializer.Serialize(grainState.State).ToArray();
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var tmp = path + $".{Environment.ProcessId}.tmp";
            await using (var fs = File.Create(tmp))
            {
                await fs.WriteAsync(BitConverter.GetBytes(next));
                await fs.WriteAsync(data);
                await fs.FlushAsync();
                fs.Flush(flushToDisk: true);
            }
            File.Move(tmp, path, overwrite: true);
            grainState.ETag = next.ToString();
            grainState.RecordExists = true;
        }
        finally { _lock.Release(); }
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        await _lock.WaitAsync();
        try
        {
            File.Delete(PathOf(stateName, grainId));
            grainState.ETag = null;
            grainState.RecordExists = false;
        }
        finally { _lock.Release(); }
    }

    private static async Task<byte[]> ReadHeaderAsync(string path)
    {
        await using var fs = File.OpenRead(path);
        var header = new byte[8];
        await fs.ReadExactlyAsync(header);
        return header;
    }
}
