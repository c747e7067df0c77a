package dev.stackshare.bench;

/** The baseline: the job straight from the developer's disk, page cache dropped (cold) or not (warm). */
final class LocalScenario implements Scenario {
    private final boolean cold;

    LocalScenario(boolean cold) {
        this.cold = cold;
    }

    @Override
    public String name() {
        return cold ? "local-cold" : "local-warm";
    }

    @Override
    public boolean networked() {
        return false;
    }

    @Override
    public Measurement run(BenchContext ctx, double rttMillis, int repetition) throws Exception {
        if (cold) {
            Host.dropPageCache();
        } else {
            ctx.job(ctx.config.stack(), ctx.config.worktree());
        }
        Proc.Result r = ctx.job(ctx.config.stack(), ctx.config.worktree());
        return new Measurement(name(), rttMillis, repetition, r.seconds(), 0, 0, 0, 0, 0);
    }
}
