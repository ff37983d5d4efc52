require ["reject", "fileinto"];
reject "no";
fileinto "A";
