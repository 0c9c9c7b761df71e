namespace RAE.Grid.Contracts;

/// <summary>Which file and store names are images the grid reads (client folders and <c>--from-store</c> prefixes alike).</summary>
public static class ImageFiles
{
    /// <summary>Image file extensions, lower case.</summary>
    public static readonly string[] Extensions = [".png", ".jpg", ".jpeg", ".bmp", ".tga", ".gif"];

    /// <summary>Whether <paramref name="name"/> ends in an image extension (any case).</summary>
    public static bool IsImage(string name) => Extensions.Contains(Path.GetExtension(name).ToLowerInvariant());
}
