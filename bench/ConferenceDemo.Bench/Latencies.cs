namespace ConferenceDemo.Bench;

/// <summary>Latencies of one run, in milliseconds, and the figures the report quotes.</summary>
internal sealed class Latencies
{
    private readonly List<double> _values = [];
    private readonly Lock _gate = new();

    public int Errors;

    public void Add(double milliseconds)
    {
        lock (_gate)
        {
            _values.Add(milliseconds);
        }
    }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _values.Count;
            }
        }
    }

    public double Percentile(double p)
    {
        lock (_gate)
        {
            if (_values.Count == 0)
            {
                return double.NaN;
            }

            var sorted = _values.Order().ToArray();
            var index = (int)Math.Ceiling(p / 100 * sorted.Length) - 1;
            return sorted[Math.Clamp(index, 0, sorted.Length - 1)];
        }
    }

    public double Max
    {
        get
        {
            lock (_gate)
            {
                return _values.Count == 0 ? double.NaN : _values.Max();
            }
        }
    }

    public string Summary => $"p50 {Percentile(50):0.00} ms, p99 {Percentile(99):0.00} ms, max {Max:0.00} ms ({Count} samples, {Errors} errors)";
}
