namespace RAE.Grid.Benchmarks;

/// <summary>
/// One timed part of a stage: <paramref name="Count"/> is how often it enters the stage time (the depth-1 model
/// forward once, each block kind depth − 1 more times). GFLOP is per call at the row's batch.
/// </summary>
public sealed record PartRow(string Part, int Count, double Ms, double Gflop, double GflopPerSecond,
    bool OutputFinite, double PercentOfCeiling = double.NaN);

/// <summary>One (stage, batch, dtype) result: the numbers of the main table.</summary>
public sealed record StageRow(
    string Stage, string Description, string Mode, int Batch, string Dtype,
    double MsPerForward, double MsPerImage, double Gflop, double GflopPerSecond, bool Estimated, bool OutputFinite,
    IReadOnlyList<PartRow> Parts, double CeilingGflopPerSecond = double.NaN, double PercentOfCeiling = double.NaN)
{
    /// <summary>This row with its shares of <paramref name="ceiling"/> (GFLOP/s of the row's dtype) filled in.</summary>
    public StageRow WithCeiling(double ceiling) => this with
    {
        CeilingGflopPerSecond = ceiling,
        PercentOfCeiling = 100 * GflopPerSecond / ceiling,
        Parts = Parts.Select(p => p with { PercentOfCeiling = 100 * p.GflopPerSecond / ceiling }).ToList(),
    };
}

/// <summary>A matmul ceiling measurement for one dtype: GFLOP/s of a square matmul, best of several runs.</summary>
public sealed record CeilingRow(string Dtype, int MatrixSize, double GflopPerSecond);
