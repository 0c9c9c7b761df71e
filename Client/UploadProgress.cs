namespace RAE.Grid.Client;

/// <summary>
/// Where an upload (<see cref="InputUploader.UploadImagesAsync"/>) stands. A file counts as done when it is stored,
/// found already stored, or given up (a problem); its bytes count as done as they are sent, or all at once when it
/// needs no sending. <see cref="BytesSent"/> is what actually went to the grid.
/// </summary>
public sealed record UploadProgress(int FilesDone, int FilesTotal, long BytesDone, long BytesTotal, long BytesSent);
