require ["fileinto"];
fileinto "Entwürfe";
