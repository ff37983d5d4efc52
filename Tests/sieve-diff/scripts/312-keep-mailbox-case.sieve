require ["fileinto"];
fileinto "inbox";
keep;
