require ["fileinto"];
fileinto :copy "A";
