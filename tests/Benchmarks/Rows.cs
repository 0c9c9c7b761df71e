namespace RAE.Grid.Benchmarks;

/// <summary>
/// One timed part of a stage: <paramref name="Count"/> is how often it enters the stage time (the depth-1 model
/// forward once, each block kind depth − 1 more times). GFLOP is per call at the row's batch.
/// </summary>
public sealed record PartRow(string Part, int Count, double Ms, double Gflop, double GflopPerSecond,
    double PercentOfCeiling, bool OutputFinite);

/// <summary>One (stage, batch, dtype) result: the numbers of the main table.</summary>
public sealed record StageRow(
    string Stage, string Description, string Mode, int Batch, string Dtype,
    double MsPerForward, double MsPerImage, double Gflop, double GflopPerSecond,
    double CeilingGflopPerSecond, double PercentOfCeiling, bool Estimated, bool OutputFinite,
    IReadOnlyList<PartRow> Parts);

/// <summary>The matmul ceiling measured for one dtype at the start of the run.</summary>
public sealed record CeilingRow(string Dtype, int MatrixSize, double GflopPerSecond);
