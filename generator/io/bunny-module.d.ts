// The npm package `bunny` (the Stanford bunny, 1,839 vertices) ships no types.
declare module 'bunny' {
  const bunny: {
    positions: [number, number, number][];
    cells: [number, number, number][];
  };
  export default bunny;
}
