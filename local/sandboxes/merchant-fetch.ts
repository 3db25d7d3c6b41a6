/**
 * A call to a provider sandbox as the merchant makes it (dashboard, simulation endpoints). It shares the
 * provider's rate limit with the functions, so a 429 is waited out and retried, as a merchant's tool would.
 */
export async function sandboxFetch(url: string, init: RequestInit = {}): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    const res = await fetch(url, init);
    if (res.status !== 429 || attempt >= 20) return res;
    await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 150));
  }
}
