namespace RAE.Grid.Client;

/// <summary>
/// The outcome of <see cref="InputUploader.UploadImagesAsync"/>. <see cref="ListName"/> is the stored input list to
/// submit as <c>JobRequest.InputList</c> (null when no file made it into the list). <see cref="Files"/> are the files
/// listed; <see cref="Uploaded"/> the objects sent; <see cref="Skipped"/> the listed files that needed no sending
/// (their content was already stored, or is the same as another file's of this upload); <see cref="BytesSent"/> the
/// file and list bytes sent; <see cref="Problems"/> one line per input left out, naming it (missing path, too large,
/// unreadable, refused by the grid).
/// </summary>
public sealed record UploadResult(string? ListName, int Files, int Uploaded, int Skipped, long BytesSent, IReadOnlyList<string> Problems);
