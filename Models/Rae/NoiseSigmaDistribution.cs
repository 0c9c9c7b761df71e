namespace RAE.Grid.Models.Rae;

/// <summary>How the per-sample noise scale σ of RAE's noise augmentation is drawn.</summary>
public enum NoiseSigmaDistribution
{
    /// <summary>σ = τ·U(0,1): what the official code (<c>RAE.noising</c>) does.</summary>
    Uniform,
    /// <summary>σ = |N(0, τ²)|: what both papers write.</summary>
    HalfNormal,
}
