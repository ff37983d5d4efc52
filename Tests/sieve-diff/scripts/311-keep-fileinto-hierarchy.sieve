require ["fileinto"];
fileinto "Lists/sieve";
