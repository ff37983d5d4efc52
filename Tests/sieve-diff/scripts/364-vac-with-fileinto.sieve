require ["vacation", "fileinto"];
vacation "away";
fileinto "Away";
