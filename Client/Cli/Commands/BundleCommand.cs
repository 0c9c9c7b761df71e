namespace RAE.Grid.Cli.Commands; internal static class BundleCommand { public static System.CommandLine.Command Create() => new("bundle", "Create or check model bundles"); }
