// Loaded with `node --import` into a gateway process: its clock runs VISIO_TEST_CLOCK_AHEAD_MS ahead
// (Date only), so that what the gateway does after days (its retention job at start-up) runs now.
const ahead = Number(process.env.VISIO_TEST_CLOCK_AHEAD_MS ?? 0);
const RealDate = globalThis.Date;
class AheadDate extends RealDate {
  constructor(...args) {
    if (args.length === 0) super(RealDate.now() + ahead);
    else super(...args);
  }
  static now() {
    return RealDate.now() + ahead;
  }
}
globalThis.Date = AheadDate;
