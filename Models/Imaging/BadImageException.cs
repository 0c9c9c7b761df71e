namespace RAE.Grid.Models.Imaging;

/// <summary>Raised for an image that cannot be used; the message names the item and the problem.</summary>
public sealed class BadImageException(string message) : Exception(message);
