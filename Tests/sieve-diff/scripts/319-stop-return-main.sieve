require ["include", "fileinto"];
fileinto "A";
return;
fileinto "B";
