namespace ConferenceDemo.Simulator;

/// <summary>
/// The simulator's one source of chance (duplicates, reorders, failures), seeded from Simulator:Seed when set, so a
/// run with realism switched on can be repeated exactly. Thread-safe.
/// </summary>
public sealed class SimulatorRandom(Random random)
{
    private readonly Lock _gate = new();

    /// <summary>True with probability <paramref name="share"/> (0 never, 1 always).</summary>
    public bool Chance(double share)
    {
        if (share <= 0)
        {
            return false;
        }

        lock (_gate)
        {
            return random.NextDouble() < share;
        }
    }
}
