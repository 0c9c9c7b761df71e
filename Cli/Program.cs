using System.CommandLine;
using RAE.Grid.Cli.Commands;

// rae-grid: submit reconstruction, generation and encoding jobs to an RAE grid, watch them, fetch their outputs; run a
// silo (serve). Without a configured cluster, jobs run on an embedded silo in this process (--local).
var root = new RootCommand("rae-grid: Representation-Autoencoder diffusion models on an Orleans grid")
{
    JobCommands.Reconstruct(),
    JobCommands.Generate(),
    JobCommands.Encode(),
    StatusCommands.Status(),
    StatusCommands.Fetch(),
    ClusterCommand.Create(),
    ServeCommand.Create(),
    BundleCommand.Create(),
    TrainCommand.Train(),
    TrainCommand.Ablate(),
    EvalCommand.Create(),
    TrainProbeCommand.Create(),
};
// Ctrl-C and SIGTERM stop a watching command promptly, leaving its job running (exit code 130 or 143): see StopSignal.
StopSignal.Listen();
return await root.Parse(args).InvokeAsync();
