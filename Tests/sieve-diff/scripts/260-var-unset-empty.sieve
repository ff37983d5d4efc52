require ["variables", "fileinto"];
fileinto "x${nothing}y";
