/** The part of hbs 4.3 this app uses (the package ships no types). */
declare module 'hbs' {
  interface Hbs {
    registerHelper(name: string, fn: (...args: unknown[]) => unknown): void;
    registerPartials(directory: string, options: { rename?: (name: string) => string }, done: (err?: unknown) => void): void;
  }
  const hbs: Hbs;
  export default hbs;
}
