using System;
using System.Diagnostics;
using System.Threading;

namespace LguestPS.Guest;

/// <summary>A point in time a conversation must finish by; infinite for -Timeout -1.</summary>
internal readonly struct Deadline
{
    private readonly Stopwatch? _clock;
    private readonly TimeSpan _limit;

    private Deadline(TimeSpan limit)
    {
        _limit = limit;
        _clock = limit == Timeout.InfiniteTimeSpan ? null : Stopwatch.StartNew();
    }

    /// <summary>From now; a negative timeout (-1 seconds) never passes.</summary>
    internal static Deadline After(TimeSpan timeout) => new(timeout < TimeSpan.Zero ? Timeout.InfiniteTimeSpan : timeout);

    internal static Deadline Seconds(int seconds) => After(seconds < 0 ? Timeout.InfiniteTimeSpan : TimeSpan.FromSeconds(seconds));

    internal bool IsInfinite => _clock == null;

    /// <summary>What is left (zero once passed; a day at a time when infinite, which is as good as forever for one wait).</summary>
    internal TimeSpan Left =>
        _clock == null ? TimeSpan.FromDays(1)
        : _limit - _clock.Elapsed is var left && left > TimeSpan.Zero ? left : TimeSpan.Zero;

    internal bool HasPassed => _clock != null && _clock.Elapsed >= _limit;

    /// <summary>The lesser of what is left and <paramref name="most"/>.</summary>
    internal TimeSpan LeftAtMost(TimeSpan most) => Left < most ? Left : most;

    /// <summary>The original limit, for messages.</summary>
    internal TimeSpan Limit => _limit;
}
