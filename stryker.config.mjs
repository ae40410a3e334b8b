// `npm run mutation`: StrykerJS over the hardened paths of the controllers,
// each mutant judged by xorsim's exploration (scripts/mutation/). docs/MUTATION.md
// explains the judge, the mutator set, what is excluded and why, and the score.
export default {
  plugins: ['@stryker-mutator/typescript-checker', './scripts/mutation/stryker-plugin.mjs'],
  testRunner: 'xorsim',
  // The judge keeps its own per-run reach (scripts/mutation/stryker-plugin.mjs).
  coverageAnalysis: 'off',
  mutate: ['src/primary/**/*.ts', 'src/parity/**/*.ts', 'src/protocol/**/*.ts', '!src/protocol/probe-names.ts', '!src/protocol/planted-bugs.ts', '!src/primary/literal-primary.ts', '!src/parity/literal-*.ts'],
  ignorers: ['xorsim-excluded'],
  mutator: {
    // String literals here are human text (messages, probe and trace names) or
    // discriminants TypeScript already pins; regexes: none in these paths.
    excludedMutations: ['StringLiteral', 'Regex'],
  },
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.mutation.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  concurrency: 2,
  // A fresh worker now and then: a mutant's damage to shared state cannot pile up.
  maxTestRunnerReuse: 40,
  timeoutFactor: 1.5,
  timeoutMS: 10000,
  // The dry run judges ~145 runs unmutated: on a shared, loaded machine it outlasts StrykerJS's default 5 minutes.
  dryRunTimeoutMinutes: 30,
  ignorePatterns: ['reports', 'generated-failures', 'scratch', 'docs', '.dbg', 'out', 'test/fixtures/**/*.img'],
  reporters: ['json', 'html', 'clear-text', 'progress-append-only'],
  jsonReporter: { fileName: 'out/mutation/mutation.json' },
  htmlReporter: { fileName: 'out/mutation/mutation.html' },
  clearTextReporter: { allowColor: false, logTests: false, maxTestsToLog: 0 },
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
  logLevel: 'info',
};
