require ["encoded-character", "variables", "fileinto"];
set "name" "Ethelbert";
if header :contains "Subject" "dear${hex:20 24 7b 4e}ame}" {
    fileinto "matched";
}
