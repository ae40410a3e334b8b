// Live memory as the memory figures count it: the JS heap plus the backing
// stores of ArrayBuffers (typed arrays keep their bytes outside the heap).
export function liveBytes(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}
