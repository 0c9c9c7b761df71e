using System.CommandLine;
using RAE.Grid.Cli.Commands;

// rae-grid: run RAE models from the command line. Today the commands run the model library in this process; the
// Orleans grid (serve, status, fetch, --local embedded silo) arrives with issue 3.
var root = new RootCommand("rae-grid: Representation-Autoencoder diffusion models")
{
    SampleCommand.Create(),
    ReconstructCommand.Create(),
    BundleCommand.Create(),
};
return await root.Parse(args).InvokeAsync();
