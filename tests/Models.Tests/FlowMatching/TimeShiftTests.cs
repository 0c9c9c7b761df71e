using RAE.Grid.Models.FlowMatching;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Tests.FlowMatching;

public class TimeShiftTests
{
    [Theory]
    [InlineData(196608, 6.928203230275509)]  // 768·16·16, ImageNet 256²
    [InlineData(786432, 13.856406460551018)] // 768·32·32, ImageNet 512²
    [InlineData(294912, 8.48528137423857)]   // 1152·16·16, Scale-RAE T2I
    [InlineData(16384, 2.0)]
    public void Shift_factor_is_the_square_root_of_the_dimension_ratio(long m, double expected) =>
        Assert.Equal(expected, TimeShift.Factor(m), 12);

    [Fact]
    public void Shift_factor_from_a_latent_shape_multiplies_its_dims() =>
        Assert.Equal(TimeShift.Factor(768L * 16 * 16), TimeShift.Factor([768L, 16, 16]));

    [Fact]
    public void Shift_keeps_the_endpoints_and_pushes_times_towards_noise()
    {
        const double s = 6.928;
        Assert.Equal(0.0, TimeShift.Apply(0.0, s));
        Assert.Equal(1.0, TimeShift.Apply(1.0, s), 15);
        for (var t = 0.05; t < 1; t += 0.05) Assert.True(TimeShift.Apply(t, s) > t);
    }

    [Fact]
    public void Tensor_shift_agrees_with_the_scalar_formula()
    {
        var t = tensor(new[] { 0.1, 0.5, 0.9 }, ScalarType.Float64);
        var shifted = TimeShift.Apply(t, 3.0).data<double>().ToArray();
        Assert.Equal(new[] { 0.1, 0.5, 0.9 }.Select(x => TimeShift.Apply(x, 3.0)), shifted);
    }

    [Fact]
    public void Non_positive_dimension_is_rejected() =>
        Assert.Throws<ArgumentException>(() => TimeShift.Factor(0));
}
